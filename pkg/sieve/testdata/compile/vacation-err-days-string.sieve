# error 3:16 :days needs a number
require "vacation";
vacation :days "3" "x";
