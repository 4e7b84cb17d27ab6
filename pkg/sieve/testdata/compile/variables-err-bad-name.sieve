# error 3:5 invalid variable name "1a"
require "variables";
set "1a" "b";
