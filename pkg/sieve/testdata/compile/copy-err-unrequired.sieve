# error 2:10 :copy requires extension "copy"
redirect :copy "a@example.com";
