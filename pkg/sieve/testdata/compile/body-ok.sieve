# ok
require "body";
if body :raw :contains "MAKE MONEY" { discard; }
if body :content ["text", "application/pdf"] :contains "x" { discard; }
if body :text :matches "*free*" { discard; }
