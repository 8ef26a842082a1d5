from binsite.cli import main

main()
