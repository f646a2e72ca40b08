from failsite.cli import main

main()
