from datamonger.cli import main

main()
