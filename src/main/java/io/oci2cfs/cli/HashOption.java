package io.oci2cfs.cli;

import io.oci2cfs.fsverity.HashAlgorithm;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** {@code --hash sha256|sha512}. */
final class HashOption implements ITypeConverter<HashAlgorithm> {
    @Override
    public HashAlgorithm convert(String value) {
        try {
            return HashAlgorithm.byName(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }
}
