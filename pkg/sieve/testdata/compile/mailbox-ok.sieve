# ok
require ["mailbox", "fileinto"];
if mailboxexists "INBOX.x" { fileinto :create "INBOX.x"; }
