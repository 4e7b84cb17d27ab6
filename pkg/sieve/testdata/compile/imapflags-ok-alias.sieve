# ok
require "imapflags";
addflag "\\Seen";
