import DatumCLI
import Glibc

exit(Datumctl.main(.process()))
