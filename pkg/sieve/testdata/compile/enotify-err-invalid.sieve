# error 3:21 invalid notification method
require "enotify";
notify :message "x" "mailto:not an address";
