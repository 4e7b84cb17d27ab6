# error 3:29 :uniqueid conflicts with :header
require "duplicate";
if duplicate :header "X-Id" :uniqueid "x" { discard; }
