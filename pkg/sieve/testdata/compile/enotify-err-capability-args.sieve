# error 3:4 notify_method_capability needs 3 positional argument(s), got 2
require "enotify";
if notify_method_capability "mailto:a@example.com" "online" { keep; }
