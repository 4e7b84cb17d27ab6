# ok
require "envelope";
if envelope :all :is "from" "a@b" { keep; }
if envelope :domain :is ["to", "auth"] "b" { keep; }
