# ok
require "fileinto";
if header :contains "subject" text: # comment
line one
..dot
.
{ fileinto "x"; }
