# error 3:18 :content needs a string list
require "body";
if body :content :contains "x" { keep; }
