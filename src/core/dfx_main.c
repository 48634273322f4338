/* placeholder until the lifecycle lands */
int main(void);
int main(void) { return 0; }
