# error 3:28 missing closing
require "regex";
if header :regex "Subject" "([a-z" { keep; }
