// @peculiar/x509 decorates its ASN.1 classes with the Reflect metadata API; it must be loaded first.
import 'reflect-metadata';
