# error 3:1 global requires extension "variables"
require "include";
global "x";
