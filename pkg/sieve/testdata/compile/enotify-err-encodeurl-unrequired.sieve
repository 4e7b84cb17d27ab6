# error 3:5 :encodeurl requires extension "enotify"
require "variables";
set :encodeurl "a" "b";
