# error 2:22 unsupported extension "foo"
require ["fileinto", "foo"];
