/**
 * The wire and on-disk formats: generated protobuf classes ({@code io.bulwark.proto.v1}) and
 * {@link io.bulwark.proto.Codec}, the one place that converts them to and from core records.
 */
package io.bulwark.proto;
