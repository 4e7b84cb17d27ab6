# ok
require ["encoded-character", "fileinto"];
fileinto "${hex:49 4e 42 4f 58}.${unicode:263a}";
