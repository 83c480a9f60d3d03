/**
 * Keys and certificates from files, read with Bouncy Castle: PEM private keys (PKCS#1 RSA, SEC1 EC, PKCS#8
 * plain or password-encrypted, and OpenSSL's legacy encrypted PEM) and X.509 certificates (PEM, one or
 * several, or DER). Every failure is a {@link io.oci2cfs.pki.PkiException}: one line naming the file and the
 * reason.
 */
package io.oci2cfs.pki;
