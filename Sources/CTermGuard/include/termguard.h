void tg_install(int fd);
void tg_restore(void);
