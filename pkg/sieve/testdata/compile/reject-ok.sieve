# ok
require ["reject", "ereject"];
if size :over 1M { reject "too big"; } else { ereject text:
Go away.
.
; }
