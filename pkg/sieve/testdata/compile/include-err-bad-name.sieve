# error 3:9 invalid script name
require "include";
include "../etc/passwd";
