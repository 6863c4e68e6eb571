"""The site's pages: the public ones (`public`: the archive of sessions, their published minutes, /verify/),
the board members' (`members`) and their forms, the pages said on an error (`errors`), the pages'
Content-Security-Policy (`security`), and their addresses (`urls`, the app's namespace `meetings`).

The pages sit on top: views stay thin and call the models and the rooms below (minutes, convocation,
accounts, seal, text); nothing but the project's urls and settings names them."""
