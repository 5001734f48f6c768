/* cli_export: the export and report subcommands of hailong-kiosk (arguments, messages, exit
 * codes); the work itself is in export.c. */
#ifndef HL_CLI_EXPORT_H
#define HL_CLI_EXPORT_H

/* hailong-kiosk export ...; argv holds the arguments after "export". Returns the exit code. */
int cli_export(int argc, char **argv);
/* hailong-kiosk report ...; argv holds the arguments after "report". Returns the exit code. */
int cli_report(int argc, char **argv);

#endif
