# error 3:10 requires extension "vacation-seconds"
require "vacation";
vacation :seconds 60 "x";
