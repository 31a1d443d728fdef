"""No-code automation: "if condition then action" rules, fired on change or on exact timers."""
