from rustwheel.cli import main

raise SystemExit(main())
