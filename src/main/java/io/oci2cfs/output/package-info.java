/**
 * Output files (images, dumps): their paths checked before any work, their contents written to private
 * temporary files beside them and put in place together by rename once every one is complete, so that a
 * failure or an interruption never leaves a partial output nor destroys the file that was there.
 */
package io.oci2cfs.output;
