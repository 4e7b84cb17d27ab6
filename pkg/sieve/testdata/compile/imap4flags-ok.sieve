# ok
require ["imap4flags", "fileinto", "variables"];
setflag "\\Seen";
addflag "myvar" ["$Label1", "\\Flagged"];
removeflag "\\Seen";
if hasflag :contains "Seen" { keep :flags "\\Answered"; }
if hasflag "myvar" "$label1" { fileinto :flags ["a", "b"] "INBOX.x"; }
