# error 3:11 :last requires :index
require "index";
if header :last "Received" "x" { keep; }
