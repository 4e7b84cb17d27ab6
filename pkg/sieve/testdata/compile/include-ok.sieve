# ok
require ["include", "variables"];
global "who";
include :personal "sub";
include :global :once :optional "common";
return;
