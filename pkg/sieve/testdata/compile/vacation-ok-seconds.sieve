# ok
require "vacation-seconds";
vacation :seconds 3600 "back soon";
