// pgshift: the control client of pgshiftd (docs/control-api.md, CLI).
#include "cli/app.hpp"

int main(int argc, char** argv) {
    return pgshift::cli::run_cli(argc, argv);
}
