# error 3:9 requires extension "variables"
require "imap4flags";
setflag "v" "\\Seen";
