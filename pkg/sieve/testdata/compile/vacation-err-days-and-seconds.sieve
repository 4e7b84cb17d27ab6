# error 3:18 :seconds conflicts with :days
require "vacation-seconds";
vacation :days 1 :seconds 60 "x";
