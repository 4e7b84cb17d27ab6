# error 3:11 invalid header name
require "editheader";
addheader "Bad:Name" "x";
