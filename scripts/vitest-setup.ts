// @peculiar/x509 relies on the Reflect metadata API; load it once for every test file.
import 'reflect-metadata';
