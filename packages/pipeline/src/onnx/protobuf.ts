// onnx-proto's protobufjs runtime looks `long` up with a dynamic require that
// strict package layouts and bundlers cannot see; hand it the module explicitly
// before onnx-proto is evaluated (this module is imported first).
import Long from 'long';
import protobuf from 'protobufjs/minimal.js';

protobuf.util.Long = Long as unknown as typeof protobuf.util.Long;
protobuf.configure();
