# error 3:20 :importance must be "1", "2" or "3"
require "enotify";
notify :importance "4" "mailto:a@example.com";
