# error 3:4 valid_notify_method requires extension "enotify"
require "variables";
if valid_notify_method "mailto:a@b.c" { keep; }
