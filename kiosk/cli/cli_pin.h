/* cli_pin: the set-pin subcommand of hailong-kiosk: sets the admin screen's PIN and clears the
 * wrong-PIN lock-out, so staff are never locked out for good. */
#ifndef HL_CLI_PIN_H
#define HL_CLI_PIN_H

/* hailong-kiosk set-pin ...; argv holds the arguments after "set-pin". Returns the exit code. */
int cli_set_pin(int argc, char **argv);

#endif
