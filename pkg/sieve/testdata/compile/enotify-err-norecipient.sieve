# error 3:8 invalid notification method "mailto:?subject=x": mailto URI names no recipient
require "enotify";
notify "mailto:?subject=x";
