# error 2:1 notify requires extension "enotify"
notify "mailto:a@example.com";
