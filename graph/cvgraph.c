/* cvgraph: a developer's executable for the graph module alone (import,
 * route, matrix) until the lead wires the subcommands into `carevan`. */
#include "cv/graph.h"

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "import")) return cv_graph_cli_import(argc - 1, argv + 1);
    if (argc >= 2 && !strcmp(argv[1], "route")) return cv_graph_cli_route(argc - 1, argv + 1);
    if (argc >= 2 && !strcmp(argv[1], "matrix")) return cv_graph_cli_matrix(argc - 1, argv + 1);
    fprintf(stderr, "usage: cvgraph import|route|matrix ... (--help on each)\n");
    return 2;
}
