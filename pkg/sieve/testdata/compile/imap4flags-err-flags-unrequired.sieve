# error 2:6 :flags requires extension "imap4flags"
keep :flags "\\Seen";
