/* Test driver: the `carevan serve` entry point as its own program, so the
 * tests (durability, Node client) do not depend on engine/cli.c's wiring. */
#include "cv/server.h"

int main(int argc, char **argv)
{
    return cv_server_cli(argc, argv);
}
