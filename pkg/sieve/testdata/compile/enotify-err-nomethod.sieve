# error 3:1 notify needs 1 positional argument(s), got 0
require "enotify";
notify :message "x";
