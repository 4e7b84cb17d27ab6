# ok
require "duplicate";
if duplicate :handle "h" :header "X-Id" :seconds 3600 :last { discard; }
if duplicate :uniqueid "abc" { discard; }
